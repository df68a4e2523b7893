"""What several channels share: theme palettes and QR codes."""
