"""Guarded actions: what people do to an aggregate, who may, and from which states, read from one table.

An aggregate (Booking, ServiceOrder) names its table in `guarded_actions` = {action: {party: states}},
where each party is an is_<party>(actor) method, and may add time rules in not_now(). refusal()
answers in one order: 403 when the actor is none of the parties (may never), 409 when the state is
wrong or the moment is (not now), None when the action may happen. The services call require();
can() drives the buttons and the API's `actions` lists.
"""
from .errors import Forbidden, InvalidTransition


class Guarded:
    guarded_actions = {}

    def refusal(self, action, actor, now):
        """Why `action` cannot happen now, as the error to raise; None if it can."""
        rule = self.guarded_actions[action]
        parties = [party for party in rule if getattr(self, f"is_{party}")(actor)]
        if not parties:
            return Forbidden()
        if not any(self.status in rule[party] for party in parties):
            return self.wrong_state(action, parties)
        return self.not_now(action, actor, now)

    def wrong_state(self, action, parties):
        """The 409 for a state the action is not done from; an aggregate may say more."""
        return InvalidTransition()

    def not_now(self, action, actor, now):
        """The 409 of a time rule that stops an action the state allows, or None."""
        return None

    def can(self, action, actor, now):
        return self.refusal(action, actor, now) is None

    def require(self, action, actor, now):
        error = self.refusal(action, actor, now)
        if error is not None:
            raise error
