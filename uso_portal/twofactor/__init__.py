"""Two-factor authentication (TOTP, django-otp) for staff, consultants and finance.

Every user with staff status must have passed a second factor in this session before any page
but the second-factor pages themselves, logout, language choice and `/healthz` (`middleware`).
Someone without an authenticator app yet is sent to enrolment (QR code + the secret as text);
enrolment confirms the app with one code and hands out ten single-use backup codes (`services`,
`views`). Municipal contact persons are not affected. django-otp throttles wrong codes per device
(growing delays).

A password alone does not enrol: someone who has a staff member's password but not their
mailbox must not be able to register their own app. Until the person has passed a second factor,
enrolment opens only through a signed link e-mailed to their address (valid for an hour, only for
the same logged-in user). A verified user replaces their app without it.
"""
