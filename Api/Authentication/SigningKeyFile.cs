using System.Text.Json.Serialization;

namespace Mirc.Api.Authentication;

/// <summary>Stored form of the signing keys: private keys encrypted with Data Protection (<see cref="SigningKeyEntry.Protected"/>).</summary>
internal sealed class SigningKeyFile
{
    /// <summary>Keys, oldest first; the last one signs.</summary>
    [JsonPropertyName("keys")]
    public List<SigningKeyEntry> Keys { get; set; } = [];
}

/// <summary>One ECDSA P-256 key.</summary>
internal sealed class SigningKeyEntry
{
    /// <summary>Key id (<c>kid</c> header).</summary>
    [JsonPropertyName("kid")]
    public string KeyId { get; set; } = "";

    /// <summary>Creation instant.</summary>
    [JsonPropertyName("created")]
    public DateTimeOffset Created { get; set; }

    /// <summary>When a newer key replaced it for signing (it still validates until retired).</summary>
    [JsonPropertyName("superseded")]
    public DateTimeOffset? Superseded { get; set; }

    /// <summary>
    /// Clear PKCS#8 private key, Base64: only in files written before keys were encrypted; migrated to
    /// <see cref="Protected"/> at the next load and never written again.
    /// </summary>
    [JsonPropertyName("pkcs8")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pkcs8 { get; set; }

    /// <summary>PKCS#8 private key protected with Data Protection (purpose <c>Mirc.SigningKeys.v1</c>).</summary>
    [JsonPropertyName("protected")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Protected { get; set; }
}

/// <summary>Source-generated JSON for <see cref="SigningKeyFile"/>.</summary>
[JsonSerializable(typeof(SigningKeyFile))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class SigningKeyFileJson : JsonSerializerContext;
