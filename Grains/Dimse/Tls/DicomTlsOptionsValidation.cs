using Microsoft.Extensions.Options;

namespace Mirc.Grains.Dimse;

/// <summary>
/// Start-up check of <see cref="DicomTlsOptions"/>: with a TLS port, the certificate, key and authority files must be
/// readable and usable now — a missing or unreadable file stops the silo with the setting named, before any port opens.
/// </summary>
public sealed class DicomTlsOptionsValidation(TimeProvider clock) : IValidateOptions<DicomTlsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DicomTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.ClientCertificateMode))
        {
            return ValidateOptionsResult.Fail($"{DicomTlsOptions.Section}:ClientCertificateMode must be None, Allow or Require");
        }

        if (options.Port is null) return ValidateOptionsResult.Success;
        try
        {
            using var credentials = DicomTlsCredentials.Load(options, clock);
            return ValidateOptionsResult.Success;
        }
        catch (DicomTlsConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
