"""Email addresses shown partly hidden, where only their owner needs to recognise them."""


def email_mask(address: str) -> str:
    """ "j***@example.nl": the first letter and the domain. For the notice to an old address,
    the audit log and the portal: enough for the owner to recognise, little for anyone else."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return "***" if address else ""
    return f"{local[0]}***@{domain}"


def email_change_label(old: str, new: str) -> str:
    """An address change for the audit log, both sides masked; "—" stands for no address."""
    return f"email: {email_mask(old) or '—'} → {email_mask(new) or '—'}"
