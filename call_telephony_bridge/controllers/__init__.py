from . import telephony_api
