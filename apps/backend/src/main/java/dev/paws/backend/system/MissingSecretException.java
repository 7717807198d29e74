package dev.paws.backend.system;

/** A secret file the app needs is absent or empty; {@link MissingSecretFailureAnalyzer} explains it. */
public class MissingSecretException extends RuntimeException {

	private final String name;

	private final String mount;

	public MissingSecretException(String name, String mount) {
		super("secret '%s' not found: no non-empty file %s".formatted(name, path(mount, name)));
		this.name = name;
		this.mount = mount;
	}

	public String getName() {
		return this.name;
	}

	public String getMount() {
		return this.mount;
	}

	static String path(String mount, String name) {
		return mount.endsWith("/") ? mount + name : mount + "/" + name;
	}

}
