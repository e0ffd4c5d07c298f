"""Fixtures of the security suite: unit B's data in every service (see security_world.py)."""
from __future__ import annotations

import pytest
from security_world import World


@pytest.fixture(scope="session")
def world(platform) -> World:
    return World(platform).build()


@pytest.fixture(scope="session")
def sessions(world) -> dict:
    """Dashboard sessions signed in with unit A's, unit B's and the bureau's keys."""
    from security_world import UNIT_A, UNIT_B
    return {who: world.session(who) for who in (UNIT_A, UNIT_B, "bureau")}


BUREAU_ROLES = ("bureau_admin", "bureau_analyst", "evaluator", "auditor")


@pytest.fixture(scope="session")
def account_sessions(world) -> dict:
    """Dashboard sessions of staff accounts, one per role (the unit operator is unit B's)."""
    return {role: world.account_session(role) for role in (*BUREAU_ROLES, "unit_operator")}
