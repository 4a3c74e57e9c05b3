// Media types and annotation keys of the image formats Istio's image fetcher accepts (BRIEF §4;
// istio/istio pkg/wasm/imagefetcher.go; the solo-io "Wasm Image Specification", oci and compat variants).

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

export const DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** The "oci" variant of the wasm image spec: the raw module and the runtime configuration, as two layers. */
export const WASM_CONTENT_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm";
export const WASM_CONFIG = "application/vnd.module.wasm.config.v1+json";

/** Manifest annotation the compat variant carries when its layer uses the OCI media type. */
export const VARIANT_ANNOTATION = "module.wasm.image/variant";
export const TITLE_ANNOTATION = "org.opencontainers.image.title";
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

/** File name Istio looks for (by base name) inside a compat layer. */
export const PLUGIN_FILE = "plugin.wasm";

/** Every manifest type a pull asks for. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST_V2, OCI_INDEX, DOCKER_MANIFEST_LIST].join(", ");
