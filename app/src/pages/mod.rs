pub mod home;
pub mod invite;
pub mod my_programs;
pub mod organization;
pub mod sign_in;
pub mod status;
