"""``yishi send-held-news``: send the step news held back within the hour, one message per person. Run it from
cron every few minutes; each person still gets at most one such message an hour."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from yishi.notifications import send_held_news


class Command(BaseCommand):
    help = "Send the matters' step news held back within the hour, one message per person."

    def handle(self, *args, **options):
        sent = send_held_news(now=timezone.now())
        self.stdout.write(f"held news sent to {sent} people")
