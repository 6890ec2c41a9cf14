from django.db import migrations


def seed(apps, schema_editor):
    from quality.pso.vocabularies import CONTRIBUTING_FACTORS, EVENT_TYPES

    EventType = apps.get_model("pso", "EventType")
    ContributingFactor = apps.get_model("pso", "ContributingFactor")
    for code, label in EVENT_TYPES:
        EventType.objects.get_or_create(code=code, defaults={"label": label})
    for code, label in CONTRIBUTING_FACTORS:
        ContributingFactor.objects.get_or_create(code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("pso", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
