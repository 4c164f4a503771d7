using System.Globalization;
using System.Reflection;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// The typed options classes of the application (public types with a <c>const string Section</c> under <c>Mirc</c>),
/// used to check that the environment variables the deployments set bind to a real property with a valid value.
/// </summary>
public sealed class OptionsCatalog
{
    // One section can be shared by several classes (e.g. Mirc:Auth by the API and by local accounts).
    private readonly Dictionary<string, List<Type>> _bySection;

    private OptionsCatalog(Dictionary<string, List<Type>> bySection) => _bySection = bySection;

    public IReadOnlyCollection<string> Sections => _bySection.Keys;

    public static OptionsCatalog FromApplication()
    {
        // The test output holds every layer the silo references (the compiler drops unused references from metadata,
        // so walk the files rather than GetReferencedAssemblies).
        var assemblies = Directory.GetFiles(AppContext.BaseDirectory, "Mirc.*.dll")
            .Where(f => !Path.GetFileName(f).Contains(".Tests", StringComparison.Ordinal))
            .Select(f => Assembly.Load(AssemblyName.GetAssemblyName(f)));
        var sections = new Dictionary<string, List<Type>>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in assemblies.SelectMany(a => a.GetExportedTypes()))
        {
            var field = type.GetField("Section", BindingFlags.Public | BindingFlags.Static);
            if (field is { IsLiteral: true } && field.GetRawConstantValue() is string section
                && section.Split(':')[0] == "Mirc")
            {
                if (!sections.TryGetValue(section, out var types))
                {
                    sections[section] = types = [];
                }

                types.Add(type);
            }
        }

        return new OptionsCatalog(sections);
    }

    /// <summary>
    /// Checks one environment variable (<c>Mirc__Section__Property</c>) against the options classes.
    /// Returns null when it binds, or why it does not; <paramref name="unbound"/> is set when no options class
    /// covers its section yet (not an error by itself).
    /// </summary>
    public string? Check(string environmentName, string? value, out bool unbound)
    {
        unbound = false;
        var path = environmentName.Split("__");
        // An item of a list property (Mirc__Http__TrustedProxies__0): check the list property itself.
        var listItem = path.Length > 2 && path[^1].All(char.IsAsciiDigit);
        if (listItem)
        {
            path = path[..^1];
        }

        var sectionPath = string.Join(':', path[..^1]);
        if (!_bySection.TryGetValue(sectionPath, out var types))
        {
            unbound = true;
            return null;
        }

        var property = types
            .Select(t => t.GetProperty(path[^1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase))
            .FirstOrDefault(p => p is { CanWrite: true });
        if (property is null)
        {
            return $"{environmentName}: {string.Join(", ", types.Select(t => t.Name))} has no settable property {path[^1]}";
        }

        if (listItem)
        {
            // The configuration binder fills arrays and lists from Name__0, Name__1, ...
            return property.PropertyType.IsArray
                || (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>))
                ? null
                : $"{environmentName}: {property.Name} is not a list";
        }

        return value is null ? null : CheckValue(environmentName, property, value);
    }

    private static string? CheckValue(string environmentName, PropertyInfo property, string value)
    {
        var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var ok = target switch
        {
            _ when target.IsEnum => Enum.TryParse(target, value, ignoreCase: true, out _),
            _ when target == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when target == typeof(bool) => bool.TryParse(value, out _),
            _ when target == typeof(Uri) => Uri.TryCreate(value, UriKind.Absolute, out _),
            _ => true,
        };
        return ok ? null : $"{environmentName}={value} is not a valid {target.Name}";
    }
}
