using System.Text.Json;

namespace Mirc.Integration.Tests.Infra;

/// <summary>Depth-first search over a JSON document (compiled ARM templates nest modules as inline templates).</summary>
public static class JsonTree
{
    public static IEnumerable<JsonElement> Objects(JsonElement root)
    {
        var stack = new Stack<JsonElement>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.ValueKind == JsonValueKind.Object)
            {
                yield return node;
                foreach (var property in node.EnumerateObject())
                {
                    stack.Push(property.Value);
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    stack.Push(item);
                }
            }
        }
    }

    /// <summary>Resources of an ARM type anywhere in the template, nested deployments included.</summary>
    public static IEnumerable<JsonElement> Resources(JsonElement template, string type) =>
        Objects(template).Where(o => o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            && string.Equals(t.GetString(), type, StringComparison.OrdinalIgnoreCase)
            && o.TryGetProperty("apiVersion", out _)
            && !(o.TryGetProperty("existing", out var existing) && existing.ValueKind == JsonValueKind.True));

    public static string? String(JsonElement element, params string[] path)
    {
        var node = element;
        foreach (var name in path)
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(name, out node))
            {
                return null;
            }
        }

        return node.ValueKind switch
        {
            JsonValueKind.String => node.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => node.GetRawText(),
        };
    }
}
