"""Accounts that run themselves: password reset, invitations, members, accounts opened by the admin and the city."""
