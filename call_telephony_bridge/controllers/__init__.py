from . import telephony_api
from . import softphone
