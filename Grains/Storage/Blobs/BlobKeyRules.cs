namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Key syntax both stores enforce, so a key valid on the filesystem is valid on Azure and no key can escape its
/// container folder: container = Azure's rule; name = <c>/</c>-separated segments, none empty or starting with a dot
/// (dot-files are the filesystem store's temporary files), no backslash or control characters, at most 1024 characters.
/// </summary>
internal static class BlobKeyRules
{
    public static void Validate(BlobKey key)
    {
        ValidateContainer(key.Container);
        ValidateName(key.Name, key);
    }

    public static void ValidateContainer(string container)
    {
        if (!IsValidContainer(container))
        {
            throw new ArgumentException($"'{container}' is not a valid container name (3-63 lower-case letters, digits, single hyphens).", nameof(container));
        }
    }

    public static bool IsValidContainer(string? container)
    {
        if (container is null || container.Length is < 3 or > 63 || container[0] == '-' || container[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < container.Length; i++)
        {
            var c = container[i];
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (c == '-' && container[i - 1] != '-');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateName(string name, BlobKey key)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 1024)
        {
            throw new ArgumentException($"Blob name of '{key}' must have 1-1024 characters.", nameof(key));
        }

        var segmentStart = true;
        foreach (var c in name)
        {
            if (c == '\\' || char.IsControl(c) || (segmentStart && (c == '/' || c == '.')))
            {
                throw new ArgumentException($"Blob name '{name}' is invalid: empty or dot-leading segment, backslash or control character.", nameof(key));
            }

            segmentStart = c == '/';
        }

        if (segmentStart)
        {
            throw new ArgumentException($"Blob name '{name}' must not end with '/'.", nameof(key));
        }
    }
}
