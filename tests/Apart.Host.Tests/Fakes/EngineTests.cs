namespace Apart.Host.Tests.Fakes;

/// <summary>A test class over an <see cref="Fakes.Engine"/> of its own, taken down after each test.</summary>
public abstract class EngineTests : IAsyncLifetime
{
    internal Engine Engine { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await Engine.DisposeAsync();
}
