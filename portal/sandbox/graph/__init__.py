"""The sandbox tenant's Microsoft Graph (beta) emulator: hardware OATH tokens, users and $batch.

Entry point: `portal.sandbox.graph.app.handle(SandboxRequest) -> SandboxResponse`. The behaviour
follows /work/shared/reference/graph-hardware-oath.md; where Microsoft's documentation is silent,
the choice is recorded in `errors.py` (status and code per case) and switchable through
`settings.SANDBOX`.
"""
