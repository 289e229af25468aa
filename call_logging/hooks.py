def post_init_hook(env):
    """Fill the phone lookup with the numbers of the contacts and leads already in the database."""
    env["crm.phone.index"]._fill()
