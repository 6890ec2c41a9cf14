from django.db import migrations, models

from practices.regions import TIME_ZONE_CHOICES, time_zone_for_state


def derive_time_zones(apps, schema_editor):
    Practice = apps.get_model("practices", "Practice")
    for practice in Practice.objects.all():
        practice.time_zone = time_zone_for_state(practice.state)
        practice.save(update_fields=["time_zone"])


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="time_zone",
            field=models.CharField(
                choices=TIME_ZONE_CHOICES,
                default="America/New_York",
                help_text="Exam times without a UTC offset in your files are read in this time zone.",
                max_length=40,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(derive_time_zones, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="practice",
            constraint=models.CheckConstraint(
                condition=models.Q(time_zone__in=[code for code, _ in TIME_ZONE_CHOICES]),
                name="practice_time_zone_valid",
            ),
        ),
    ]
