using Microsoft.AspNetCore.Mvc;

namespace Dexter.Sessions.HostApp.Controllers;

/// <summary>The app's own controller, serialized with the app's JSON options (kebab-case).</summary>
[ApiController]
[Route("api/orders")]
public sealed class OrdersController : ControllerBase
{
    /// <summary>The orders.</summary>
    [HttpGet]
    public IActionResult Get() => Ok(new[] { new Order("o-1", 12.5m), new Order("o-2", 7m) });

    /// <summary>One order.</summary>
    /// <param name="OrderId">The id.</param>
    /// <param name="TotalAmount">The total.</param>
    public sealed record Order(string OrderId, decimal TotalAmount);
}
