/**
 * Examples for the registry-config module: registry credentials for the tools that run inside
 * your containers (Helm, skopeo, crane, kubectl, ...), rendered as a Docker-style config.json
 * that only ever travels as a Secret.
 *
 * Function names follow the Daggerverse convention: registryConfig_name is an example for the
 * module, registryConfigFunction an example for one of its functions.
 */
import { dag, Container, File, Secret, object, func } from "@dagger.io/dagger"

@object()
export class Examples {
  /**
   * Several registries in one config, Docker Hub under any of its names; lists the keys the
   * tools will look up (never a secret).
   *
   * @param githubUser GitHub user name
   * @param githubToken GitHub token with access to the packages
   * @param dockerHubUser Docker Hub user name
   * @param dockerHubToken Docker Hub access token
   */
  @func()
  async registryConfig_severalRegistries(
    githubUser: string,
    githubToken: Secret,
    dockerHubUser: string,
    dockerHubToken: Secret,
  ): Promise<string[]> {
    return dag
      .registryConfig()
      .withRegistryAuth("ghcr.io", githubUser, githubToken)
      .withRegistryAuth("docker.io", dockerHubUser, dockerHubToken)
      .registries()
  }

  /**
   * Pushes a Helm chart: mountDockerConfig mounts config.json and sets DOCKER_CONFIG, which
   * Helm (like docker, oras, crane and regctl) reads.
   *
   * @param chart A packaged chart (the .tgz of helm package)
   * @param owner GitHub user or organisation that owns the charts
   * @param token GitHub token allowed to write packages
   */
  @func()
  async registryConfigMountDockerConfig(chart: File, owner: string, token: Secret): Promise<string> {
    const helm = dag.container().from("alpine/helm:3.17.0").withFile("/work/chart.tgz", chart)
    return dag
      .registryConfig()
      .withRegistryAuth("ghcr.io", owner, token)
      .mountDockerConfig(helm)
      .withExec(["helm", "push", "/work/chart.tgz", `oci://ghcr.io/${owner}/charts`])
      .stdout()
  }

  /**
   * Copies an image with skopeo, which finds its auth file through REGISTRY_AUTH_FILE:
   * mountSecret mounts the file where you say and sets the variable to its path.
   *
   * @param source Image to copy, e.g. quay.io/me/app:1.0
   * @param destination Where to copy it, e.g. ghcr.io/me/app:1.0
   * @param quayUser Quay.io robot account
   * @param githubUser GitHub user
   */
  @func()
  async registryConfigMountSecret(
    source: string,
    destination: string,
    quayUser: string,
    quayToken: Secret,
    githubUser: string,
    githubToken: Secret,
  ): Promise<string> {
    const skopeo = dag.container().from("quay.io/skopeo/stable:v1.18")
    return dag
      .registryConfig()
      .withRegistryAuth("quay.io", quayUser, quayToken)
      .withRegistryAuth("ghcr.io", githubUser, githubToken)
      .mountSecret(skopeo, { path: "/run/containers/auth.json", variable: "REGISTRY_AUTH_FILE" })
      .withExec(["skopeo", "copy", `docker://${source}`, `docker://${destination}`])
      .stdout()
  }

  /**
   * Lets the tool fetch short-lived credentials itself: the config names the helper
   * (docker-credential-ecr-login here), and no password is stored anywhere.
   *
   * @param tools A container with crane and docker-credential-ecr-login on its PATH
   * @param registry The ECR registry, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com
   * @param repository A repository in it
   */
  @func()
  async registryConfigWithCredentialHelper(
    tools: Container,
    registry: string,
    repository: string,
    awsAccessKeyId: Secret,
    awsSecretAccessKey: Secret,
  ): Promise<string> {
    return dag
      .registryConfig()
      .withCredentialHelper(registry, "ecr-login")
      .mountDockerConfig(tools)
      .withSecretVariable("AWS_ACCESS_KEY_ID", awsAccessKeyId)
      .withSecretVariable("AWS_SECRET_ACCESS_KEY", awsSecretAccessKey)
      .withExec(["crane", "ls", `${registry}/${repository}`])
      .stdout()
  }

  /**
   * Creates an image pull secret in a cluster: kubernetesSecret renders the manifest as a
   * Secret, which is mounted into a kubectl container and applied.
   *
   * @param kubeconfig kubeconfig of the cluster
   * @param namespace Namespace to create the secret in
   * @param githubUser GitHub user
   */
  @func()
  async registryConfigKubernetesSecret(
    kubeconfig: Secret,
    namespace: string,
    githubUser: string,
    githubToken: Secret,
  ): Promise<string> {
    const pullSecret = dag
      .registryConfig()
      .withRegistryAuth("ghcr.io", githubUser, githubToken)
      .kubernetesSecret("regcred", { namespace })
    return dag
      .container()
      .from("registry.k8s.io/kubectl:v1.33.0")
      .withMountedSecret("/run/kube/config", kubeconfig)
      .withMountedSecret("/run/regcred.yaml", pullSecret)
      .withExec(["kubectl", "--kubeconfig", "/run/kube/config", "apply", "-f", "/run/regcred.yaml"])
      .stdout()
  }

  /**
   * Starts from the login on your machine (--docker-config file:$HOME/.docker/config.json),
   * drops one registry and lists a repository with crane.
   *
   * @param dockerConfig Your config.json; logins kept in a keychain (credsStore) must be added
   * with withRegistryAuth instead
   * @param repository A repository to list, e.g. ghcr.io/me/app
   */
  @func()
  async registryConfigWithDockerConfig(dockerConfig: Secret, repository: string): Promise<string> {
    const crane = dag.container().from("gcr.io/go-containerregistry/crane:debug")
    return dag
      .registryConfig()
      .withDockerConfig(dockerConfig)
      .withoutRegistryAuth("quay.io")
      .mountDockerConfig(crane)
      .withExec(["crane", "ls", repository])
      .stdout()
  }

  /**
   * The form of the Go registry-config module this one replaces: secretMount prepares the
   * mount and Container.with applies it, so existing code keeps working unchanged.
   *
   * @param repository A repository to list, e.g. ghcr.io/me/app
   * @param githubUser GitHub user
   */
  @func()
  async registryConfigSecretMount(
    repository: string,
    githubUser: string,
    githubToken: Secret,
  ): Promise<string> {
    return dag
      .container()
      .from("gcr.io/go-containerregistry/crane:debug")
      .with((container) =>
        dag
          .registryConfig()
          .withRegistryAuth("ghcr.io", githubUser, githubToken)
          .secretMount("/root/.docker/config.json")
          .mount(container),
      )
      .withExec(["crane", "ls", repository])
      .stdout()
  }
}
