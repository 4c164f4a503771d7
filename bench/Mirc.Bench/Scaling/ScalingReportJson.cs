using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirc.Bench.Scaling;

/// <summary>Source-generated JSON for <see cref="ScalingReport"/> (camelCase, indented, derived figures included).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ScalingReport))]
internal sealed partial class ScalingReportJson : JsonSerializerContext;
