using Microsoft.Extensions.Options;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Replication;

/// <summary>The second site must be of the first one's kind and must not be the first site itself.</summary>
internal sealed class ReplicationOptionsValidator(IOptions<BlobStorageOptions> storage) : IValidateOptions<ReplicationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplicationOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var first = storage.Value;
        if (first.Provider == BlobStorageProvider.Azure)
        {
            if (string.IsNullOrWhiteSpace(options.SecondSiteConnectionString) && options.SecondSiteAccountUri is null)
            {
                return ValidateOptionsResult.Fail("Mirc:Replication: Azure storage needs SecondSiteConnectionString or SecondSiteAccountUri (another storage account).");
            }

            var same = (!string.IsNullOrWhiteSpace(first.ConnectionString) && string.Equals(first.ConnectionString, options.SecondSiteConnectionString, StringComparison.Ordinal))
                || (first.AccountUri is not null && first.AccountUri == options.SecondSiteAccountUri);
            return same
                ? ValidateOptionsResult.Fail("Mirc:Replication: the second site is the first storage account itself.")
                : ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.SecondSitePath))
        {
            return ValidateOptionsResult.Fail("Mirc:Replication: filesystem storage needs SecondSitePath (another folder or volume).");
        }

        var firstRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(first.RootPath ?? "."));
        var secondRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.SecondSitePath));
        var nested = string.Equals(firstRoot, secondRoot, StringComparison.Ordinal)
            || secondRoot.StartsWith(firstRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || firstRoot.StartsWith(secondRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return nested
            ? ValidateOptionsResult.Fail($"Mirc:Replication: SecondSitePath '{secondRoot}' is, contains or lies inside the first site '{firstRoot}'.")
            : ValidateOptionsResult.Success;
    }
}
