using System.Text.Json.Nodes;

namespace Mirc.Silo.Admin;

/// <summary>The effective configuration as JSON, for support and for seeding another silo; secrets are masked.</summary>
internal static class ConfigurationExport
{
    private static readonly string[] SecretWords = ["password", "secret", "connectionstring", "key", "token"];

    public static JsonNode ToJson(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return JsonValue.Create(IsSecret(section.Key) && !string.IsNullOrEmpty(section.Value) ? "***" : section.Value)!;
        }

        // Configuration has no arrays: numbered children (0, 1, …) were one.
        if (children.All(c => int.TryParse(c.Key, out _)))
        {
            return new JsonArray([.. children.OrderBy(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(ToJson)]);
        }

        var node = new JsonObject();
        foreach (var child in children)
        {
            node[child.Key] = ToJson(child);
        }

        return node;
    }

    private static bool IsSecret(string key) => SecretWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase));
}
