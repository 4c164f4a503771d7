namespace Mirc.Api.Management;

/// <summary>Collects one message per invalid field of a request, for a single RFC 9457 validation problem.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>True when no field is invalid.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Records <paramref name="message"/> for <paramref name="field"/>.</summary>
    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages)) _errors[field] = messages = [];
        messages.Add(message);
        return this;
    }

    /// <summary>Records a message when <paramref name="condition"/> is false.</summary>
    public FieldErrors Check(bool condition, string field, string message) => condition ? this : Add(field, message);

    /// <summary>The errors in the shape <c>Results.ValidationProblem</c> takes.</summary>
    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
