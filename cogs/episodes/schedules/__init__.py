"""What the scheduler delivers for episodes: feed polls and the weekly insight digest."""
