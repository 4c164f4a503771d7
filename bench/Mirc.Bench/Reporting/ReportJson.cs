using System.Text.Json;
using System.Text.Json.Serialization;
using Mirc.Bench.Run;

namespace Mirc.Bench.Reporting;

/// <summary>Source-generated JSON for <see cref="BenchReport"/> (camelCase, indented, derived rates included).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class ReportJson : JsonSerializerContext;
