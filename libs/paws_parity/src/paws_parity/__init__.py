"""paws_parity."""
