"""A failed campaign stores why as a code (shown in the reader's language), not as English
text. Existing texts are mapped to codes: the suspension note, the errors a scheduled
campaign could meet when it was due (in English, or in Chinese if a worker ran in it), and
the insufficient-balance messages of every wording they had, with their amounts. A text
that matches none becomes "other" and is kept in the detail for operators."""

import re

from django.db import migrations, models

MONEY = r"¥([\d,]+\.\d{2})"

FIXED = {
    "The merchant was suspended from the messaging programme.": "merchant_suspended",
    "Your shop is not enrolled in the messaging programme, or it is suspended.": "not_enrolled",
    "你的店铺尚未加入私信营销计划，或已被暂停。": "not_enrolled",
    "You have reached today's campaign quota; schedule it for another day.": (
        "campaign_quota_exceeded"
    ),
    "你今天的营销活动次数已用完，请定时到其他日期发送。": "campaign_quota_exceeded",
    "The merchant balance is too low for this.": "insufficient_funds",
    "商家余额不足。": "insufficient_funds",
}

# Every wording the insufficient-balance message had; texts were cut at 200 characters, so
# each is matched on its start, which holds both amounts.
FUNDS = [
    re.compile(rf"Your merchant balance \({MONEY}\) is too low: sending (?:this campaign )?holds {MONEY}"),
    re.compile(rf"Your merchant balance \({MONEY}\) is too low for this campaign's estimated cost of {MONEY}"),
    re.compile(rf"你的商家余额（{MONEY}）不足：发送需冻结 {MONEY}"),
]

# What each code stored as text before, for going back.
TEXTS = {
    "merchant_suspended": "The merchant was suspended from the messaging programme.",
    "not_enrolled": "Your shop is not enrolled in the messaging programme, or it is suspended.",
    "campaign_quota_exceeded": "You have reached today's campaign quota; schedule it for another day.",
    "insufficient_funds": "The merchant balance is too low for this.",
    "other": "The campaign could not be sent.",
}


def _fen(text):
    return int(text.replace(",", "").replace(".", ""))


def failure_of(text):
    text = text.strip()
    if text in FIXED:
        return FIXED[text], {}
    for pattern in FUNDS:
        match = pattern.match(text)
        if match:
            return "insufficient_funds", {
                "balance": _fen(match.group(1)),
                "cost": _fen(match.group(2)),
            }
    return "other", {"text": text}


def texts_to_codes(apps, schema_editor):
    Campaign = apps.get_model("messaging", "Campaign")
    failed = Campaign.objects.exclude(failure_reason="").values_list("pk", "failure_reason")
    for pk, text in failed.iterator():
        code, detail = failure_of(text)
        Campaign.objects.filter(pk=pk).update(failure_code=code, failure_detail=detail)


def codes_to_texts(apps, schema_editor):
    Campaign = apps.get_model("messaging", "Campaign")
    failed = Campaign.objects.exclude(failure_code="").values_list(
        "pk", "failure_code", "failure_detail"
    )
    for pk, code, detail in failed.iterator():
        detail = detail or {}
        if "text" in detail:
            text = detail["text"]
        elif code == "insufficient_funds" and {"balance", "cost"} <= set(detail):
            balance, cost = detail["balance"], detail["cost"]
            text = (
                f"Your merchant balance (¥{balance // 100:,}.{balance % 100:02d}) is too low:"
                f" sending holds ¥{cost // 100:,}.{cost % 100:02d}, a message's price for each"
                " follower in the audience; you pay only for those delivered. Top up and send"
                " again."
            )
        else:
            text = TEXTS.get(code, TEXTS["other"])
        Campaign.objects.filter(pk=pk).update(failure_reason=text[:200])


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0002_campaign_product'),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='failure_code',
            field=models.CharField(blank=True, choices=[('merchant_suspended', 'Your shop was suspended from the messaging programme.'), ('not_enrolled', 'When it was due, your shop was not enrolled in the messaging programme, or it was suspended.'), ('campaign_quota_exceeded', "When it was due, you had already used that day's campaign quota."), ('insufficient_funds', 'When it was due, your merchant balance was too low to hold its cost.'), ('other', 'The campaign could not be sent.')], max_length=30),
        ),
        migrations.AddField(
            model_name='campaign',
            name='failure_detail',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(texts_to_codes, codes_to_texts),
    ]
