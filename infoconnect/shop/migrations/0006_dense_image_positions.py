"""Renumber every product's images 0, 1, 2, … in their shown order (position, then id).

Deleting an image used to leave a gap, and the next upload took the count as its position,
so two images could share one. From here on deletion closes the gap in the same transaction.
"""

from django.db import migrations


def renumber(apps, schema_editor):
    ProductImage = apps.get_model("shop", "ProductImage")
    changed = []
    product_id, position = None, 0
    rows = ProductImage.objects.order_by("product_id", "position", "id").only(
        "id", "product_id", "position"
    )
    for image in rows.iterator(chunk_size=2000):
        if image.product_id != product_id:
            product_id, position = image.product_id, 0
        if image.position != position:
            image.position = position
            changed.append(image)
        position += 1
    ProductImage.objects.bulk_update(changed, ["position"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0005_drop_stock_holds"),
    ]

    operations = [
        migrations.RunPython(renumber, migrations.RunPython.noop, elidable=True),
    ]
