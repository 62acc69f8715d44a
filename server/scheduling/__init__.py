"""Scheduling on the devices: jobs waiting their turn, round-robin across clients
(`_fair_queue`), and one worker per device running jobs' engine windows (`_window_scheduler`)."""
