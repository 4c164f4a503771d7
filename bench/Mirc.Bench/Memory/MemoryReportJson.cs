using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirc.Bench.Memory;

/// <summary>Source-generated JSON for <see cref="MemoryReport"/> (camelCase, indented, derived figures included).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(MemoryReport))]
internal sealed partial class MemoryReportJson : JsonSerializerContext;
