using System.Data.Common;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>Collects the values of a statement being built and names them <c>@p0</c>, <c>@p1</c>…: values never enter the SQL text.</summary>
internal sealed class SqlParameters
{
    private readonly List<object> _values = [];

    /// <summary>Adds a value; returns its placeholder.</summary>
    public string Add(object value)
    {
        _values.Add(value);
        return "@p" + (_values.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Adds a list of values; returns <c>@pa, @pb, …</c>.</summary>
    public string AddList(IEnumerable<string> values) => string.Join(", ", values.Select(v => Add(v)));

    /// <summary>Copies the values onto a command.</summary>
    public void ApplyTo(DbCommand command)
    {
        for (var i = 0; i < _values.Count; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameter.Value = _values[i];
            command.Parameters.Add(parameter);
        }
    }
}
