"""Examples for the registry-config module.

Function names follow the Daggerverse convention: registry_config__name is an example for the
module, registry_config_function an example for one of its functions.
"""

from typing import Annotated

import dagger
from dagger import Doc, dag, function, object_type


@object_type
class Examples:
    @function
    async def registry_config__several_registries(
        self,
        github_user: Annotated[str, Doc("GitHub user name")],
        github_token: Annotated[dagger.Secret, Doc("GitHub token with access to the packages")],
        docker_hub_user: Annotated[str, Doc("Docker Hub user name")],
        docker_hub_token: Annotated[dagger.Secret, Doc("Docker Hub access token")],
    ) -> list[str]:
        """Several registries in one config, Docker Hub under any of its names.

        Lists the keys the tools will look up (never a secret).
        """
        return await (
            dag.registry_config()
            .with_registry_auth("ghcr.io", github_user, github_token)
            .with_registry_auth("docker.io", docker_hub_user, docker_hub_token)
            .registries()
        )

    @function
    async def registry_config_mount_docker_config(
        self,
        chart: Annotated[dagger.File, Doc("A packaged chart (the .tgz of helm package)")],
        owner: Annotated[str, Doc("GitHub user or organisation that owns the charts")],
        token: Annotated[dagger.Secret, Doc("GitHub token allowed to write packages")],
    ) -> str:
        """Pushes a Helm chart.

        mount_docker_config mounts config.json and sets DOCKER_CONFIG, which Helm (like docker,
        oras, crane and regctl) reads.
        """
        helm = (
            dag.container()
            .from_("alpine/helm:3.17.0")
            .with_file("/work/chart.tgz", chart)
        )
        return await (
            dag.registry_config()
            .with_registry_auth("ghcr.io", owner, token)
            .mount_docker_config(helm)
            .with_exec(["helm", "push", "/work/chart.tgz", f"oci://ghcr.io/{owner}/charts"])
            .stdout()
        )

    @function
    async def registry_config_mount_secret(
        self,
        source: Annotated[str, Doc("Image to copy, e.g. quay.io/me/app:1.0")],
        destination: Annotated[str, Doc("Where to copy it, e.g. ghcr.io/me/app:1.0")],
        quay_user: Annotated[str, Doc("Quay.io robot account")],
        quay_token: dagger.Secret,
        github_user: Annotated[str, Doc("GitHub user")],
        github_token: dagger.Secret,
    ) -> str:
        """Copies an image with skopeo, which finds its auth file through REGISTRY_AUTH_FILE.

        mount_secret mounts the file where you say and sets the variable to its path.
        """
        skopeo = dag.container().from_("quay.io/skopeo/stable:v1.18")
        return await (
            dag.registry_config()
            .with_registry_auth("quay.io", quay_user, quay_token)
            .with_registry_auth("ghcr.io", github_user, github_token)
            .mount_secret(
                skopeo,
                path="/run/containers/auth.json",
                variable="REGISTRY_AUTH_FILE",
            )
            .with_exec(["skopeo", "copy", f"docker://{source}", f"docker://{destination}"])
            .stdout()
        )

    @function
    async def registry_config_with_credential_helper(
        self,
        tools: Annotated[
            dagger.Container,
            Doc("A container with crane and docker-credential-ecr-login on its PATH"),
        ],
        registry: Annotated[
            str, Doc("The ECR registry, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com")
        ],
        repository: Annotated[str, Doc("A repository in it")],
        aws_access_key_id: dagger.Secret,
        aws_secret_access_key: dagger.Secret,
    ) -> str:
        """Lets the tool fetch short-lived credentials itself.

        The config names the helper (docker-credential-ecr-login here), and no password is
        stored anywhere.
        """
        return await (
            dag.registry_config()
            .with_credential_helper(registry, "ecr-login")
            .mount_docker_config(tools)
            .with_secret_variable("AWS_ACCESS_KEY_ID", aws_access_key_id)
            .with_secret_variable("AWS_SECRET_ACCESS_KEY", aws_secret_access_key)
            .with_exec(["crane", "ls", f"{registry}/{repository}"])
            .stdout()
        )

    @function
    async def registry_config_kubernetes_secret(
        self,
        kubeconfig: Annotated[dagger.Secret, Doc("kubeconfig of the cluster")],
        namespace: Annotated[str, Doc("Namespace to create the secret in")],
        github_user: Annotated[str, Doc("GitHub user")],
        github_token: dagger.Secret,
    ) -> str:
        """Creates an image pull secret in a cluster.

        kubernetes_secret renders the manifest as a Secret, which is mounted into a kubectl
        container and applied.
        """
        pull_secret = (
            dag.registry_config()
            .with_registry_auth("ghcr.io", github_user, github_token)
            .kubernetes_secret("regcred", namespace=namespace)
        )
        return await (
            dag.container()
            .from_("registry.k8s.io/kubectl:v1.33.0")
            .with_mounted_secret("/run/kube/config", kubeconfig)
            .with_mounted_secret("/run/regcred.yaml", pull_secret)
            .with_exec(
                ["kubectl", "--kubeconfig", "/run/kube/config", "apply", "-f", "/run/regcred.yaml"]
            )
            .stdout()
        )

    @function
    async def registry_config_with_docker_config(
        self,
        docker_config: Annotated[
            dagger.Secret,
            Doc(
                "Your config.json (--docker-config file:$HOME/.docker/config.json); logins kept"
                " in a keychain (credsStore) must be added with with_registry_auth instead"
            ),
        ],
        repository: Annotated[str, Doc("A repository to list, e.g. ghcr.io/me/app")],
    ) -> str:
        """Starts from the login on your machine, drops one registry and lists a repository."""
        crane = dag.container().from_("gcr.io/go-containerregistry/crane:debug")
        return await (
            dag.registry_config()
            .with_docker_config(docker_config)
            .without_registry_auth("quay.io")
            .mount_docker_config(crane)
            .with_exec(["crane", "ls", repository])
            .stdout()
        )

    @function
    async def registry_config_secret_mount(
        self,
        repository: Annotated[str, Doc("A repository to list, e.g. ghcr.io/me/app")],
        github_user: Annotated[str, Doc("GitHub user")],
        github_token: dagger.Secret,
    ) -> str:
        """The form of the Go registry-config module this one replaces.

        secret_mount prepares the mount and Container.with_ applies it, so existing code keeps
        working unchanged.
        """
        return await (
            dag.container()
            .from_("gcr.io/go-containerregistry/crane:debug")
            .with_(
                dag.registry_config()
                .with_registry_auth("ghcr.io", github_user, github_token)
                .secret_mount("/root/.docker/config.json")
                .mount
            )
            .with_exec(["crane", "ls", repository])
            .stdout()
        )
