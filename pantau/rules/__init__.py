"""Pure domain rules (SKM/IKM, sample size, reporting periods); see /work/shared/domain.md."""
