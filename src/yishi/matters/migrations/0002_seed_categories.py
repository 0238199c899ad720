from django.db import migrations

# The kinds of matter the seed report names, plus the usual others. Administrators may add more.
CATEGORIES = [
    ("disputes", "矛盾纠纷"),
    ("property", "物业管理服务"),
    ("environment", "小区环境"),
    ("renovation", "老旧小区改造"),
    ("facilities", "公共设施"),
    ("safety", "安全隐患"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("matters", "Category")
    for position, (key, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(key=key, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("matters", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
