"""Two-step sign-in: the second factor after the password, for HR staff and employees.

One module per flow, as django-allauth's mfa package: `stage` (the half-signed-in session and
finishing the sign-in), `authenticate` (the code page), `totp` (setting up an authenticator app),
`recovery` (recovery codes), `manage` (the list of factors, removing one), `recheck` (sensitive
actions ask again), `policy` (who must have a second factor), `services` (every change to a
person's factors: audited and mailed). The devices are django-otp's; the sign-in views stay ours.
"""
