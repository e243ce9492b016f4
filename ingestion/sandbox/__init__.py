"""Local emulators of the ad APIs (one loopback server, one prefix per API) and the data generator."""

from ingestion.sandbox.faults import Fault, FaultBoard
from ingestion.sandbox.generator import World
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route, SandboxContext, SandboxServer

__all__ = [
    "EmulatorApi",
    "Fault",
    "FaultBoard",
    "Request",
    "Response",
    "Route",
    "SandboxContext",
    "SandboxServer",
    "World",
]
