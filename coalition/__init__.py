# The Celery application is imported on first use, not with Django: importing Celery costs
# every command and process that never queues a task a noticeable share of its start-up. The
# tasks modules import coalition.celery, so the project's app is the current one before any
# task is queued; `celery -A coalition` finds coalition.celery by itself.
def __getattr__(name: str):
    if name == "celery_app":
        from coalition.celery import app

        return app
    raise AttributeError(f"module 'coalition' has no attribute {name!r}")


__all__ = ("celery_app",)
