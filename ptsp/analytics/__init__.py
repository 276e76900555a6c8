"""Read side: dashboard figures, leaderboard, SKM/IKM, printer health and planning inputs (queries only)."""
