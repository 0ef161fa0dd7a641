"""A local stand-in for a Mercado-Libre-like marketplace: sellers' orders over
its REST shape, notifications POSTed to the seller application's URL with the
500 ms acknowledgement rule and retries, the missed feeds, and reproducible
notification storms for tests and benchmarks."""
from .dispatcher import DeliveryPolicy, Dispatcher
from .server import MarketplaceServer, serve_in_thread
from .store import Marketplace, MarketplaceError, StoredOrder
from .storm import StormPlan, StormSpec, plan_storm, play_storm, storm

__all__ = ["DeliveryPolicy", "Dispatcher", "Marketplace", "MarketplaceError", "MarketplaceServer", "StoredOrder",
           "StormPlan", "StormSpec", "plan_storm", "play_storm", "serve_in_thread", "storm"]
