"""Pure domain rules (SKM/IKM, sample size, reporting periods); see docs/domain.md."""
