"""Examples for the registry-config module.

Registry credentials for the tools that run inside your containers (Helm, skopeo, crane,
kubectl, ...), rendered as a Docker-style config.json that only ever travels as a Secret.
"""

from .main import Examples as Examples
