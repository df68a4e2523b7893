"""The posters channel: printable A4 and A3 posters per campaign week and audience."""
