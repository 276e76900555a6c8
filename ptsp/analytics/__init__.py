"""Read side: KPIs, leaderboard, SKM/IKM and planning inputs (queries only, never writes)."""
