"""The supplier register: who supplies what, and whom to reach there by role."""
