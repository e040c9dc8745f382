"""What a case owes and by when: policies (policy.py) and the step rules (schedule.py)."""
