using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>Start-up checks of <see cref="BlobStorageOptions"/> that attributes cannot express.</summary>
internal sealed class BlobStorageOptionsValidator : IValidateOptions<BlobStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobStorageOptions options)
    {
        // Attribute checks ([Range], [RegularExpression]) first, without the Options.DataAnnotations package.
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            return ValidateOptionsResult.Fail(errors.Select(e => $"BlobStorageOptions: {e.ErrorMessage}"));
        }

        return options.Provider switch
        {
            BlobStorageProvider.FileSystem when string.IsNullOrWhiteSpace(options.RootPath) =>
                ValidateOptionsResult.Fail("Mirc:Storage:RootPath is required for the FileSystem blob store."),
            BlobStorageProvider.FileSystem when options.FileSystemDurability == FileSystemDurability.SharedSync && !SharedSyncCommitPolicy.IsSupported =>
                ValidateOptionsResult.Fail("Mirc:Storage:FileSystemDurability SharedSync needs syncfs(2) (Linux); use Auto or PerFile."),
            BlobStorageProvider.Azure when string.IsNullOrWhiteSpace(options.ConnectionString) && options.AccountUri is null =>
                ValidateOptionsResult.Fail("Mirc:Storage:ConnectionString or Mirc:Storage:AccountUri is required for the Azure blob store."),
            BlobStorageProvider.Azure when options.AccountUri is { IsAbsoluteUri: false } =>
                ValidateOptionsResult.Fail("Mirc:Storage:AccountUri must be an absolute URI such as https://account.blob.core.windows.net."),
            BlobStorageProvider.FileSystem or BlobStorageProvider.Azure => ValidateOptionsResult.Success,
            _ => ValidateOptionsResult.Fail($"Mirc:Storage:Provider '{options.Provider}' is not supported (FileSystem, Azure)."),
        };
    }
}
