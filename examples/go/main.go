// Examples for the registry-config module: registry credentials for the tools that run inside
// your containers (Helm, skopeo, crane, kubectl, ...), rendered as a Docker-style config.json
// that only ever travels as a Secret.
//
// Function names follow the Daggerverse convention: RegistryConfig_Name is an example for the
// module, RegistryConfigFunction an example for one of its functions.
package main

import (
	"context"

	"dagger/examples/internal/dagger"
)

type Examples struct{}

// Several registries in one config, Docker Hub under any of its names; lists the keys the
// tools will look up (never a secret).
func (m *Examples) RegistryConfig_SeveralRegistries(
	ctx context.Context,
	// GitHub user name
	githubUser string,
	// GitHub token with access to the packages
	githubToken *dagger.Secret,
	// Docker Hub user name
	dockerHubUser string,
	// Docker Hub access token
	dockerHubToken *dagger.Secret,
) ([]string, error) {
	return dag.RegistryConfig().
		WithRegistryAuth("ghcr.io", githubUser, githubToken).
		WithRegistryAuth("docker.io", dockerHubUser, dockerHubToken).
		Registries(ctx)
}

// Pushes a Helm chart: mountDockerConfig mounts config.json and sets DOCKER_CONFIG, which
// Helm (like docker, oras, crane and regctl) reads.
func (m *Examples) RegistryConfigMountDockerConfig(
	ctx context.Context,
	// A packaged chart (the .tgz of helm package)
	chart *dagger.File,
	// GitHub user or organisation that owns the charts
	owner string,
	// GitHub token allowed to write packages
	token *dagger.Secret,
) (string, error) {
	helm := dag.Container().
		From("alpine/helm:3.17.0").
		WithFile("/work/chart.tgz", chart)
	return dag.RegistryConfig().
		WithRegistryAuth("ghcr.io", owner, token).
		MountDockerConfig(helm).
		WithExec([]string{"helm", "push", "/work/chart.tgz", "oci://ghcr.io/" + owner + "/charts"}).
		Stdout(ctx)
}

// Copies an image with skopeo, which finds its auth file through REGISTRY_AUTH_FILE: mountSecret
// mounts the file where you say and sets the variable to its path.
func (m *Examples) RegistryConfigMountSecret(
	ctx context.Context,
	// Image to copy, e.g. quay.io/me/app:1.0
	source string,
	// Where to copy it, e.g. ghcr.io/me/app:1.0
	destination string,
	// Quay.io robot account
	quayUser string,
	quayToken *dagger.Secret,
	// GitHub user
	githubUser string,
	githubToken *dagger.Secret,
) (string, error) {
	skopeo := dag.Container().From("quay.io/skopeo/stable:v1.18")
	return dag.RegistryConfig().
		WithRegistryAuth("quay.io", quayUser, quayToken).
		WithRegistryAuth("ghcr.io", githubUser, githubToken).
		MountSecret(skopeo, dagger.RegistryConfigMountSecretOpts{
			Path:     "/run/containers/auth.json",
			Variable: "REGISTRY_AUTH_FILE",
		}).
		WithExec([]string{"skopeo", "copy", "docker://" + source, "docker://" + destination}).
		Stdout(ctx)
}

// Lets the tool fetch short-lived credentials itself: the config names the helper
// (docker-credential-ecr-login here), and no password is stored anywhere.
func (m *Examples) RegistryConfigWithCredentialHelper(
	ctx context.Context,
	// A container with crane and docker-credential-ecr-login on its PATH
	tools *dagger.Container,
	// The ECR registry, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com
	registry string,
	// A repository in it
	repository string,
	// AWS credentials for the helper
	awsAccessKeyID *dagger.Secret,
	awsSecretAccessKey *dagger.Secret,
) (string, error) {
	return dag.RegistryConfig().
		WithCredentialHelper(registry, "ecr-login").
		MountDockerConfig(tools).
		WithSecretVariable("AWS_ACCESS_KEY_ID", awsAccessKeyID).
		WithSecretVariable("AWS_SECRET_ACCESS_KEY", awsSecretAccessKey).
		WithExec([]string{"crane", "ls", registry + "/" + repository}).
		Stdout(ctx)
}

// Creates an image pull secret in a cluster: kubernetesSecret renders the manifest as a Secret,
// which is mounted into a kubectl container and applied.
func (m *Examples) RegistryConfigKubernetesSecret(
	ctx context.Context,
	// kubeconfig of the cluster
	kubeconfig *dagger.Secret,
	// Namespace to create the secret in
	namespace string,
	// GitHub user
	githubUser string,
	githubToken *dagger.Secret,
) (string, error) {
	pullSecret := dag.RegistryConfig().
		WithRegistryAuth("ghcr.io", githubUser, githubToken).
		KubernetesSecret("regcred", dagger.RegistryConfigKubernetesSecretOpts{Namespace: namespace})
	return dag.Container().
		From("registry.k8s.io/kubectl:v1.33.0").
		WithMountedSecret("/run/kube/config", kubeconfig).
		WithMountedSecret("/run/regcred.yaml", pullSecret).
		WithExec([]string{"kubectl", "--kubeconfig", "/run/kube/config", "apply", "-f", "/run/regcred.yaml"}).
		Stdout(ctx)
}

// Starts from the login on your machine (dagger call ... --docker-config
// file:$HOME/.docker/config.json), drops one registry and lists a repository with crane.
func (m *Examples) RegistryConfigWithDockerConfig(
	ctx context.Context,
	// Your config.json; logins kept in a keychain (credsStore) must be added with
	// withRegistryAuth instead
	dockerConfig *dagger.Secret,
	// A repository to list, e.g. ghcr.io/me/app
	repository string,
) (string, error) {
	crane := dag.Container().From("gcr.io/go-containerregistry/crane:debug")
	return dag.RegistryConfig().
		WithDockerConfig(dockerConfig).
		WithoutRegistryAuth("quay.io").
		MountDockerConfig(crane).
		WithExec([]string{"crane", "ls", repository}).
		Stdout(ctx)
}

// The form of the Go registry-config module this one replaces: secretMount prepares the mount
// and Container.With applies it, so existing code keeps working unchanged.
func (m *Examples) RegistryConfigSecretMount(
	ctx context.Context,
	// A repository to list, e.g. ghcr.io/me/app
	repository string,
	// GitHub user
	githubUser string,
	githubToken *dagger.Secret,
) (string, error) {
	return dag.Container().
		From("gcr.io/go-containerregistry/crane:debug").
		With(dag.RegistryConfig().
			WithRegistryAuth("ghcr.io", githubUser, githubToken).
			SecretMount("/root/.docker/config.json").
			Mount).
		WithExec([]string{"crane", "ls", repository}).
		Stdout(ctx)
}
