import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from infoconnect.core.runtime import tune_garbage_collector  # noqa: E402  (after setup)

tune_garbage_collector()
