"""Telling the world how a run ended: notifications as messages, the heartbeat, history and metrics.

``targets`` reads a ``--notify-url`` into the kind of receiver it is; ``message`` writes the news for a
person (Webex or Teams markdown, Slack text, an Adaptive Card), cut to each receiver's limit; ``send``
posts it (and signs summary.json for a plain https receiver); ``policy`` is ``--notify-on``;
``heartbeat`` the Healthchecks pings; ``say`` prints warnings and errors as lines or JSON events;
``watch.RunWatch`` ties them to a run (``batch.run.hooks.RunWatcher``) and to a run that never started.
"""
